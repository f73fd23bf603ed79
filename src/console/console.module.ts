import { Logger, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Router } from 'express';
import { consoleRouter } from './console-router';
import { CONSOLE_DIR, CONSOLE_PATH } from './console-assets';

/**
 * Serves the operator console (built from console/ into dist/console) at /console. Its files are not API
 * operations, so they are mounted on Express directly and stay out of the OpenAPI spec, like /docs assets.
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const express = this.adapterHost.httpAdapter.getInstance<{ use(path: string, router: Router): void }>();
    express.use(CONSOLE_PATH, consoleRouter(CONSOLE_DIR, new Logger('Console')));
  }
}
