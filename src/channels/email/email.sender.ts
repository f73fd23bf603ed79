import { Injectable, Optional } from '@nestjs/common';
import { createTransport, SendMailOptions } from 'nodemailer';
import { errorText } from '../../common/errors';
import { defaultEgress, EgressDeniedError, EgressGuard } from '../common/egress';
import { OutgoingMessage, SingleMessageSender } from '../common/channel';
import { Digest } from '../common/digest';
import { EXCERPT } from '../common/http';
import { colorOf, plainText, render, truncate } from '../common/render';
import { SendResult } from '../common/send-result';
import { headline, HTML } from '../common/text-format';
import { EmailChannelConfig } from './email.config';
import { emailDigest } from './email.digest';

/** The mail: a plain-text part and an HTML part in which everything the source wrote is escaped. */
export function emailMessage(message: OutgoingMessage, config: EmailChannelConfig) {
  const m = render(message.kind, message.notification);
  const rows = m.fields.map(
    (f) => `<tr><th align="left">${HTML.text(f.label)}</th><td>${HTML.text(f.value)}</td></tr>`,
  );
  const links = m.links.map((l) => HTML.link(l.url, l.title));
  return {
    from: config.from,
    to: config.to,
    subject: truncate(m.headline.replace(/[\r\n]+/g, ' '), 200),
    text: plainText(m, 100_000, false),
    html: [
      `<div style="border-left:6px solid ${colorOf(m)};padding-left:12px">`,
      `<h2>${headline(HTML, m, Infinity)}</h2>`,
      ...(m.body ? [`<p>${HTML.text(m.body)}</p>`] : []),
      `<table>${rows.join('')}</table>`,
      ...(links.length > 0 ? [`<p>${links.join(' · ')}</p>`] : []),
      '</div>',
    ].join('\n'),
    headers: { 'X-Alert-Relay-Delivery': message.id },
  };
}

// nodemailer codes that mean "try later" (connection trouble); 4xx SMTP replies too.
const TRANSIENT = new Set(['ETIMEDOUT', 'ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET']);

@Injectable()
export class EmailSender implements SingleMessageSender<EmailChannelConfig> {
  readonly shape = 'single' as const;

  constructor(@Optional() private readonly egress: EgressGuard = defaultEgress()) {}

  target(config: EmailChannelConfig): string {
    return `smtp://${config.smtp.host}:${config.smtp.port}`;
  }

  preview(message: OutgoingMessage, config: EmailChannelConfig): unknown {
    return emailMessage(message, config);
  }

  send(message: OutgoingMessage, config: EmailChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.mail(emailMessage(message, config), config, timeoutMs);
  }

  sendDigest(digest: Digest, config: EmailChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.mail(emailDigest(digest, config), config, timeoutMs);
  }

  private async mail(mail: SendMailOptions, config: EmailChannelConfig, timeoutMs: number): Promise<SendResult> {
    const { smtp } = config;
    let address: string;
    try {
      // nodemailer connects to the address checked here; TLS still verifies the name (servername).
      address = await this.egress.resolve(smtp.host);
    } catch (error) {
      return {
        outcome: error instanceof EgressDeniedError ? 'permanent' : 'retry',
        statusCode: null,
        error: error instanceof EgressDeniedError ? error.message : `EDNS: ${errorText(error)}`,
      };
    }
    const transport = createTransport({
      host: address,
      port: smtp.port,
      secure: smtp.secure ?? smtp.port === 465,
      requireTLS: smtp.requireTLS,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      tls: { rejectUnauthorized: smtp.rejectUnauthorized, servername: smtp.host },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    try {
      const info = await transport.sendMail(mail);
      return { outcome: 'success', statusCode: 250, response: String(info.response ?? '').slice(0, EXCERPT) };
    } catch (error) {
      const e = error as { code?: string; responseCode?: number; message?: string };
      const transient =
        (e.responseCode !== undefined && e.responseCode >= 400 && e.responseCode < 500) ||
        (e.responseCode === undefined && (e.code === undefined || TRANSIENT.has(e.code)));
      return {
        outcome: transient ? 'retry' : 'permanent',
        statusCode: e.responseCode ?? null,
        error: `${e.code ?? 'SMTP error'}: ${String(e.message ?? error).slice(0, 300)}`,
      };
    } finally {
      transport.close();
    }
  }
}
