import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from './metrics.service';

@Controller()
export class MetricsController {
  constructor(private readonly service: MetricsService) {}

  @Get('metrics')
  async getMetrics(@Res({ passthrough: true }) response: Response) {
    // prom-client's own content type (the text exposition format version it writes).
    response.type(this.service.contentType);
    return this.service.metrics();
  }
}
