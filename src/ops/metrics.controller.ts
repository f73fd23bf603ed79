import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { MetricsService } from '../metrics/metrics.service';
import { MetricsTokenGuard } from './metrics-token.guard';

@Controller()
@UseGuards(MetricsTokenGuard)
export class MetricsController {
  constructor(private readonly service: MetricsService) {}

  @Get('metrics')
  async getMetrics(@Res({ passthrough: true }) response: Response) {
    // prom-client's own content type (the text exposition format version it writes).
    response.type(this.service.contentType);
    return this.service.metrics();
  }
}
