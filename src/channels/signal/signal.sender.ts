import { execFile } from 'node:child_process';
import { Injectable, Optional } from '@nestjs/common';
import { EgressGuard } from '../common/egress';
import { OutgoingMessage, SingleMessageSender } from '../common/channel';
import { Digest, plainDigest } from '../common/digest';
import { EXCERPT, HttpAnswer, HttpChannel, jsonRequest } from '../common/http';
import { plainText, render } from '../common/render';
import { SendResult } from '../common/send-result';
import { SignalChannelConfig } from './signal.config';

// Long Signal messages turn into attachments; keep alerts readable on a phone. Plain text: without a
// text style nothing in it is markup, and a mention needs explicit ranges we never send.
const MAX_TEXT = 2000;

export function signalText(message: OutgoingMessage): string {
  return plainText(render(message.kind, message.notification), MAX_TEXT);
}

/** A digest: the headline, the lines that fit and "… and N more", in the same 2,000 characters. */
export function signalDigestText(digest: Digest): string {
  return plainDigest(digest, MAX_TEXT);
}

/** `signal-cli -a ACCOUNT send -m TEXT RECIPIENT…` (or `-g GROUP`). */
export function signalArgs(message: OutgoingMessage, config: SignalChannelConfig): string[] {
  return cliArgs(signalText(message), config);
}

function cliArgs(text: string, config: SignalChannelConfig): string[] {
  const targets = config.groupId ? ['-g', config.groupId] : config.recipients;
  return ['-a', config.account, 'send', '-m', text, ...targets];
}

/** JSON-RPC `send` for `signal-cli daemon --http` (docs/channels.md). */
export function signalRpcRequest(message: OutgoingMessage, config: SignalChannelConfig) {
  return rpcRequest(signalText(message), message.id, config);
}

/** `id`: the delivery's (or the digest's) id. */
export function rpcRequest(text: string, id: string, config: SignalChannelConfig) {
  return {
    jsonrpc: '2.0',
    method: 'send',
    params: {
      account: config.account,
      ...(config.groupId ? { groupId: config.groupId } : { recipient: config.recipients }),
      message: text,
    },
    id,
  };
}

// signal-cli exit codes and JSON-RPC error codes that will not get better by retrying (docs/channels.md).
const PERMANENT_EXIT = new Set([1, 4, 6]);
const PERMANENT_RPC = new Set([-1, -4, -6, -32600, -32601, -32602]);
const RATE_LIMITED_EXIT = 5;
const RATE_LIMITED_RPC = -5;
const RATE_LIMITED_WAIT_MS = 60_000;

/** `mode: jsonrpc`: a POST to the daemon; a 200 may still carry a JSON-RPC error. */
class SignalRpc extends HttpChannel<SignalChannelConfig> {
  url(config: SignalChannelConfig): string {
    return config.rpcUrl ?? '';
  }

  send(request: ReturnType<typeof rpcRequest>, config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.post(config, jsonRequest(request), timeoutMs);
  }

  protected override read(answer: HttpAnswer): HttpAnswer {
    if (answer.outcome !== 'success') return answer;
    let reply: { error?: { code?: number; message?: string } };
    try {
      reply = JSON.parse(answer.body ?? '');
    } catch {
      return { ...answer, outcome: 'retry', error: 'the signal-cli daemon answered something that is not JSON' };
    }
    const code = reply.error?.code;
    if (code === undefined) return answer;
    return {
      ...answer,
      outcome: PERMANENT_RPC.has(code) ? 'permanent' : 'retry',
      retryAfterMs: code === RATE_LIMITED_RPC ? RATE_LIMITED_WAIT_MS : undefined,
      error: `signal-cli error ${code}: ${String(reply.error?.message ?? '').slice(0, 200)}`,
    };
  }
}

@Injectable()
export class SignalSender implements SingleMessageSender<SignalChannelConfig> {
  readonly shape = 'single' as const;
  private readonly rpc: SignalRpc;

  constructor(@Optional() egress?: EgressGuard) {
    this.rpc = new SignalRpc(egress);
  }

  target(config: SignalChannelConfig): string {
    return config.mode === 'jsonrpc' ? this.rpc.target(config) : config.cliPath;
  }

  preview(message: OutgoingMessage, config: SignalChannelConfig): unknown {
    return config.mode === 'jsonrpc' ? signalRpcRequest(message, config) : { argv: signalArgs(message, config) };
  }

  send(message: OutgoingMessage, config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.sendText(signalText(message), message.id, config, timeoutMs);
  }

  sendDigest(digest: Digest, config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
    return this.sendText(signalDigestText(digest), digest.id, config, timeoutMs);
  }

  private sendText(text: string, id: string, config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
    return config.mode === 'jsonrpc'
      ? this.rpc.send(rpcRequest(text, id, config), config, timeoutMs)
      : sendCli(cliArgs(text, config), config, timeoutMs);
  }
}

function sendCli(args: string[], config: SignalChannelConfig, timeoutMs: number): Promise<SendResult> {
  return new Promise((resolve) => {
    execFile(
      config.cliPath,
      args,
      { timeout: timeoutMs, maxBuffer: 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim().slice(0, EXCERPT);
        if (!error) return resolve({ outcome: 'success', statusCode: 0, response: output });
        const code = typeof error.code === 'number' ? error.code : null;
        if (error.killed || error.signal) {
          return resolve({ outcome: 'retry', statusCode: null, error: `signal-cli timed out after ${timeoutMs} ms` });
        }
        if (code === null) {
          return resolve({ outcome: 'retry', statusCode: null, error: `cannot run signal-cli: ${String(error.code)}` });
        }
        resolve({
          outcome: PERMANENT_EXIT.has(code) ? 'permanent' : 'retry',
          statusCode: code,
          retryAfterMs: code === RATE_LIMITED_EXIT ? RATE_LIMITED_WAIT_MS : undefined,
          error: `signal-cli exited with ${code}`,
          response: output,
        });
      },
    );
  });
}
