import { IsArray, IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { BaseChannelConfig, ChannelConfigProblem, IsHttpUrl, Secret } from '../../config/channels.config';
import { IsE164 } from '../../common/patterns';

export class SignalChannelConfig extends BaseChannelConfig {
  @IsIn(['signal'])
  type: 'signal';

  /** `cli`: run `signal-cli -a ACCOUNT send …` per message; `jsonrpc`: POST to a signal-cli HTTP daemon. */
  @IsOptional()
  @IsIn(['cli', 'jsonrpc'])
  mode: 'cli' | 'jsonrpc' = 'cli';

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  cliPath: string = 'signal-cli';

  /** The daemon's JSON-RPC endpoint, e.g. http://127.0.0.1:8080/api/v1/rpc (`daemon --http`). */
  @IsOptional()
  @IsHttpUrl()
  @Secret('url')
  rpcUrl?: string;

  @IsE164()
  account: string;

  @IsOptional()
  @IsArray()
  @IsE164({ each: true })
  recipients: string[] = [];

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  groupId?: string;
}

/** What the decorators cannot say: a daemon needs its URL, a message needs someone to go to. */
export function signalConfigProblems(config: SignalChannelConfig): ChannelConfigProblem[] {
  const problems: ChannelConfigProblem[] = [];
  if (config.mode === 'jsonrpc' && !config.rpcUrl)
    problems.push({ key: 'rpcUrl', problem: 'required when mode is jsonrpc' });
  if (config.recipients.length === 0 && !config.groupId) {
    problems.push({ key: 'recipients', problem: 'give at least one recipient or a groupId' });
  }
  return problems;
}
