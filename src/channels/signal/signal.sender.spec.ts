import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { plainToInstance } from 'class-transformer';
import { sampleMessage } from '../common/sample-message';
import { SignalChannelConfig } from './signal.config';
import { SignalSender } from './signal.sender';

const rpc = plainToInstance(SignalChannelConfig, {
  type: 'signal',
  mode: 'jsonrpc',
  rpcUrl: 'http://127.0.0.1:8080/api/v1/rpc?token=s3cret',
  account: '+12025551234',
  recipients: ['+12025555678'],
});

describe('signal channel', () => {
  it('shows the daemon URL redacted in its preview (it may carry a token)', () => {
    const sender = new SignalSender();
    assert.equal(sender.target(rpc), 'http://127.0.0.1:8080/[redacted]');
    const request = sender.preview(sampleMessage('opened', { title: '**x** @channel' }), rpc) as {
      params: { message: string; recipient: string[] };
    };
    assert.deepEqual(request.params.recipient, ['+12025555678']);
    // Plain text: shown exactly as the source wrote it.
    assert.match(request.params.message, /^\[CRITICAL\] \*\*x\*\* @channel\n/);
  });

  it('runs signal-cli with the message as one argument, never through a shell', () => {
    const cli = plainToInstance(SignalChannelConfig, { ...rpc, mode: 'cli', cliPath: '/opt/signal-cli' });
    const sender = new SignalSender();
    assert.equal(sender.target(cli), '/opt/signal-cli');
    const { argv } = sender.preview(sampleMessage('opened', { title: '$(rm -rf /); `x`' }), cli) as { argv: string[] };
    assert.deepEqual(argv.slice(0, 4), ['-a', '+12025551234', 'send', '-m']);
    assert.match(argv[4], /^\[CRITICAL\] \$\(rm -rf \/\); `x`\n/);
    assert.deepEqual(argv.slice(5), ['+12025555678']);
  });
});
