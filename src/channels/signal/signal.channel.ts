import { defineChannelType } from '../common/channel';
import { signalConfigProblems, SignalChannelConfig } from './signal.config';
import { SignalSender } from './signal.sender';

export const signal = defineChannelType({
  type: 'signal',
  configClass: SignalChannelConfig,
  // Signal rate-limits senders it sees as bulk; alerts are people's phones (docs/channels.md).
  defaultRateLimit: { perSecond: 1, burst: 3 },
  problems: signalConfigProblems,
  sender: SignalSender,
});
