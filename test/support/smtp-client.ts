import { once } from 'node:events';
import { connect, Socket } from 'node:net';

/**
 * A line-level SMTP client over a raw socket, for dialogues that nodemailer cannot produce (HELO,
 * HAProxy's Lua-mailer `MAIL FROM: <a>`, binary garbage). Each `send` waits for a complete reply.
 */
export class RawSmtp {
  private buffer = '';
  private waiting: ((reply: string) => void) | null = null;
  readonly replies: string[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => {
      this.buffer += data;
      this.flush();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.buffer += '\n';
      this.flush(true);
    });
  }

  static async open(port: number, localAddress?: string): Promise<{ client: RawSmtp; greeting: string }> {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    await once(socket, 'connect');
    const client = new RawSmtp(socket);
    return { client, greeting: await client.next() };
  }

  /** The next complete reply (multi-line replies joined), or '' when the server closed. */
  next(): Promise<string> {
    const ready = this.takeReply();
    if (ready !== null) return Promise.resolve(ready);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async send(line: string | Buffer): Promise<string> {
    this.socket.write(typeof line === 'string' ? `${line}\r\n` : line);
    return this.next();
  }

  close(): void {
    this.socket.destroy();
  }

  private flush(closed = false): void {
    if (!this.waiting) return;
    const reply = this.takeReply() ?? (closed ? '' : null);
    if (reply === null) return;
    const resolve = this.waiting;
    this.waiting = null;
    this.replies.push(reply);
    resolve(reply);
  }

  private takeReply(): string | null {
    const lines: string[] = [];
    let rest = this.buffer;
    for (;;) {
      const end = rest.indexOf('\n');
      if (end < 0) return null;
      const line = rest.slice(0, end).replace(/\r$/, '');
      rest = rest.slice(end + 1);
      lines.push(line);
      // "250-..." continues, "250 ..." ends a reply.
      if (!/^\d{3}-/.test(line)) {
        this.buffer = rest;
        return lines.join('\n');
      }
    }
  }
}

/** One whole SMTP transaction as HAProxy's mailers send it; returns the reply to the end of DATA. */
export async function sendLikeHaproxy(
  port: number,
  options: { subject: string; lua?: boolean; from?: string; to?: string; helo?: string; date?: string },
): Promise<string> {
  const from = options.from ?? 'haproxy@example.com';
  const to = options.to ?? 'alerts@example.com';
  const sep = options.lua ? ': ' : ':';
  const { client, greeting } = await RawSmtp.open(port);
  try {
    if (!greeting.startsWith('220 ')) return greeting;
    await client.send(`HELO ${options.helo ?? 'lb1.example.com'}`);
    await client.send(`MAIL FROM${sep}<${from}>`);
    await client.send(`RCPT TO${sep}<${to}>`);
    const go = await client.send('DATA');
    if (!go.startsWith('354')) return go;
    const text = options.subject.replace(/^\[HAProxy Alert\] /, '');
    const message = [
      `From: ${from}`,
      `To: ${to}`,
      `Date: ${options.date ?? 'Sun, 22 Nov 2026 00:23:16 +0100 (CET)'}`,
      `Subject: ${options.subject}`,
      '',
      text,
      '',
      '.',
      '',
    ].join('\r\n');
    const reply = await client.send(Buffer.from(message, 'latin1'));
    await client.send('QUIT');
    return reply;
  } finally {
    client.close();
  }
}
