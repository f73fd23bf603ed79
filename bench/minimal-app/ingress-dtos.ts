// The only place the minimal app names the service's request DTOs: when the restructure moves them, this
// is the line to follow.
export { StackStateEnvelopeDto } from '../../src/ingress/stackstate/stackstate.dto';
export { MonascaAlarmDto } from '../../src/ingress/monasca/monasca.dto';
