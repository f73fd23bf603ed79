import { execFile } from 'node:child_process';
import { Injectable } from '@nestjs/common';
import { SignalChannelConfig } from '../../config/channels.config';
import { ChannelPreview, ChannelSender, OutgoingMessage, SendResult } from '../common/channel';
import { httpSend } from '../common/http';
import { plainText, render } from '../common/render';

// Long Signal messages turn into attachments; keep alerts readable on a phone.
const MAX_TEXT = 2000;

export function signalText(message: OutgoingMessage): string {
  return plainText(render(message.kind, message.notification), MAX_TEXT);
}

/** `signal-cli -a ACCOUNT send -m TEXT RECIPIENT…` (or `-g GROUP`). */
export function signalArgs(message: OutgoingMessage, config: SignalChannelConfig): string[] {
  const targets = config.groupId ? ['-g', config.groupId] : config.recipients;
  return ['-a', config.account, 'send', '-m', signalText(message), ...targets];
}

/** JSON-RPC `send` for `signal-cli daemon --http` (signal-cli-jsonrpc(5)). */
export function signalRpcRequest(message: OutgoingMessage, config: SignalChannelConfig) {
  return {
    jsonrpc: '2.0',
    method: 'send',
    params: {
      account: config.account,
      ...(config.groupId ? { groupId: config.groupId } : { recipient: config.recipients }),
      message: signalText(message),
    },
    id: message.id,
  };
}

// signal-cli exit codes: 1 user error, 2 unexpected, 3 server/IO, 4 untrusted key, 5 rate limited, 6 captcha.
const PERMANENT_EXIT = new Set([1, 4, 6]);
const PERMANENT_RPC = new Set([-1, -4, -6, -32600, -32601, -32602]);
const RATE_LIMITED_WAIT_MS = 60_000;

@Injectable()
export class SignalSender implements ChannelSender<SignalChannelConfig> {
  readonly type = 'signal' as const;

  batchSize(): number {
    return 1;
  }

  preview(messages: OutgoingMessage[], config: SignalChannelConfig): ChannelPreview {
    return config.mode === 'jsonrpc'
      ? { target: config.rpcUrl ?? '', request: signalRpcRequest(messages[0], config) }
      : { target: config.cliPath, request: { argv: signalArgs(messages[0], config) } };
  }

  send(messages: OutgoingMessage[], config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
    return config.mode === 'jsonrpc'
      ? this.sendRpc(messages[0], config, timeoutMs)
      : this.sendCli(messages[0], config, timeoutMs);
  }

  private sendCli(message: OutgoingMessage, config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
    return new Promise((resolve) => {
      execFile(
        config.cliPath,
        signalArgs(message, config),
        { timeout: timeoutMs, maxBuffer: 1024 * 1024, killSignal: 'SIGKILL' },
        (error, stdout, stderr) => {
          const output = `${stdout}${stderr}`.trim().slice(0, 500);
          if (!error) return resolve({ outcome: 'success', statusCode: 0, response: output });
          const code = typeof error.code === 'number' ? error.code : null;
          if (error.killed || error.signal) {
            return resolve({ outcome: 'retry', statusCode: null, error: `signal-cli timed out after ${timeoutMs} ms` });
          }
          if (code === null) {
            return resolve({
              outcome: 'retry',
              statusCode: null,
              error: `cannot run signal-cli: ${String(error.code)}`,
            });
          }
          resolve({
            outcome: PERMANENT_EXIT.has(code) ? 'permanent' : 'retry',
            statusCode: code,
            retryAfterMs: code === 5 ? RATE_LIMITED_WAIT_MS : undefined,
            error: `signal-cli exited with ${code}`,
            response: output,
          });
        },
      );
    });
  }

  private async sendRpc(message: OutgoingMessage, config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
    const result = await httpSend(
      config.rpcUrl ?? '',
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify(signalRpcRequest(message, config)) },
      timeoutMs,
    );
    if (result.outcome !== 'success') return result;
    let reply: { error?: { code?: number; message?: string } };
    try {
      reply = JSON.parse(result.body ?? '');
    } catch {
      return { ...result, outcome: 'retry', error: 'the signal-cli daemon answered something that is not JSON' };
    }
    const code = reply.error?.code;
    if (code === undefined) return result;
    return {
      ...result,
      outcome: PERMANENT_RPC.has(code) ? 'permanent' : 'retry',
      retryAfterMs: code === -5 ? RATE_LIMITED_WAIT_MS : undefined,
      error: `signal-cli error ${code}: ${String(reply.error?.message ?? '').slice(0, 200)}`,
    };
  }
}
