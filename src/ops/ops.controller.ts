import { Controller, Get, Header, Res } from '@nestjs/common';
import type { Response } from 'express';
import { OpsService } from './ops.service';

@Controller()
export class OpsController {
  constructor(private readonly service: OpsService) {}

  @Get('healthz')
  getHealth() {
    return this.service.getHealth();
  }

  @Get('readyz')
  getReadiness(@Res({ passthrough: true }) response: Response) {
    return this.service.getReadiness(response);
  }

  @Get('openapi.json')
  getOpenApiDocument() {
    return this.service.getOpenApiDocument();
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  getApiReference() {
    return this.service.getApiReference();
  }
}
