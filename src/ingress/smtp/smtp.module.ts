import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../notifications/notifications.module';
import { SmtpIngressService } from './smtp-ingress.service';
import { SmtpServerService } from './smtp-server.service';

/** Alert e-mail on its own port (SMTP_PORT): HAProxy email-alert and mail rules (docs/smtp.md). */
@Module({
  imports: [NotificationsModule],
  providers: [SmtpIngressService, SmtpServerService],
  exports: [SmtpServerService],
})
export class SmtpModule {}
