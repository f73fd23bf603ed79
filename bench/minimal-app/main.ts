// The framework floor for bench:ingest: NestJS with @nestjs/platform-express and the service's global
// ValidationPipe options, validating the service's own DTOs, answering 200 with no database, no guard and
// no request logging. Whatever the service spends above this per message is ours to cut.
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { MonascaAlarmDto, StackStateEnvelopeDto } from './ingress-dtos';

@Controller('webhooks')
class MinimalController {
  @Post('stackstate')
  @HttpCode(200)
  stackstate(@Body() envelope: StackStateEnvelopeDto) {
    return { result: 'ok', id: envelope.notificationId };
  }

  @Post('monasca/:key')
  @HttpCode(200)
  monasca(@Body() alarm: MonascaAlarmDto) {
    return { result: 'ok', id: alarm.alarm_id };
  }
}

@Module({ controllers: [MinimalController] })
class MinimalModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(MinimalModule, { logger: ['error', 'warn'] });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, transform: true, forbidUnknownValues: true }));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  process.stdout.write(`listening on 127.0.0.1:${port}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`minimal app: ${String(error)}\n`);
  process.exit(1);
});
