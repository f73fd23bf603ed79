import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiKeyName } from '../common/request-context';
import { ApiKeyGuard } from './api-key.guard';
import { WhoAmIService } from './whoami.service';

@Controller('api/v1/whoami')
@UseGuards(ApiKeyGuard)
export class WhoAmIController {
  constructor(private readonly service: WhoAmIService) {}

  @Get()
  whoAmI(@ApiKeyName() apiKeyName: string) {
    return this.service.whoAmI(apiKeyName);
  }
}
