import { Inject, Injectable } from '@nestjs/common';
import { Schemas } from '../../common/api-types';
import { AppConfig } from '../../config/config.loader';
import { APP_CONFIG } from '../../config/config.module';
import { NotificationsService } from '../../notifications/notifications.service';
import { MailRules } from './mail-rules';
import { toSignal } from './mail-signal';
import { parseMail, ReceivedMail } from './received-mail';

/** Turns one received mail into one lifecycle change; resolves only once it is committed. */
@Injectable()
export class SmtpIngressService {
  private readonly rules: MailRules;

  constructor(
    private readonly notifications: NotificationsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.rules = new MailRules(config.ingress.smtp.rules);
  }

  async receiveMail(mail: ReceivedMail): Promise<Schemas['IngestResult']> {
    const parsed = await parseMail(mail.raw);
    return this.notifications.ingest(toSignal(mail, parsed, this.config.ingress.smtp, this.rules));
  }
}
