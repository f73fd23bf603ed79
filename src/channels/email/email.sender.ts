import { Injectable } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { EmailChannelConfig } from '../../config/channels.config';
import { ChannelPreview, ChannelSender, OutgoingMessage, SendResult } from '../common/channel';
import { colorOf, plainText, render, truncate } from '../common/render';

const html = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function emailMessage(message: OutgoingMessage, config: EmailChannelConfig) {
  const m = render(message.kind, message.notification);
  const rows = m.fields.map((f) => `<tr><th align="left">${html(f.label)}</th><td>${html(f.value)}</td></tr>`);
  const links = m.links.map((l) => `<a href="${html(l.url)}">${html(l.title)}</a>`);
  return {
    from: config.from,
    to: config.to,
    subject: truncate(m.headline.replace(/[\r\n]+/g, ' '), 200),
    text: plainText(m, 100_000, false),
    html: [
      `<div style="border-left:6px solid ${colorOf(m)};padding-left:12px">`,
      `<h2>${html(m.headline)}</h2>`,
      ...(m.body ? [`<p>${html(m.body)}</p>`] : []),
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
export class EmailSender implements ChannelSender<EmailChannelConfig> {
  readonly type = 'email' as const;

  batchSize(): number {
    return 1;
  }

  preview(messages: OutgoingMessage[], config: EmailChannelConfig): ChannelPreview {
    return { target: `smtp://${config.smtp.host}:${config.smtp.port}`, request: emailMessage(messages[0], config) };
  }

  async send(messages: OutgoingMessage[], config: EmailChannelConfig, timeoutMs: number): Promise<SendResult> {
    const { smtp } = config;
    const transport = createTransport({
      host: smtp.host,
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
      const info = await transport.sendMail(emailMessage(messages[0], config));
      return { outcome: 'success', statusCode: 250, response: String(info.response ?? '').slice(0, 500) };
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
