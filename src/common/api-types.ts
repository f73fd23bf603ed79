import { components, operations } from '../generated/openapi';

// Short names for the generated OpenAPI types; the generated file itself is never edited.
export type Schemas = components['schemas'];
export type ErrorBody = Schemas['Error'];
export type ErrorCode = ErrorBody['error'];
export type ErrorDetail = Schemas['ErrorDetail'];
export type Operations = operations;

export type StackStateOpenEvent = Schemas['StackStateOpenEvent'];
export type StackStateCloseEvent = Schemas['StackStateCloseEvent'];
export type StackStateMonitor = Schemas['StackStateMonitor'];
export type StackStateComponent = Schemas['StackStateComponent'];
export type StackStateNotificationConfiguration = Schemas['StackStateNotificationConfiguration'];
export type StackStateEnvelope = Schemas['StackStateEnvelope'];
export type MonascaAlarm = Schemas['MonascaAlarm'];
export type MonascaMetric = Schemas['MonascaMetric'];
export type ListNotificationsQuery = NonNullable<operations['listNotifications']['parameters']['query']>;
export type RouteTestNotification = Schemas['RouteTestNotification'];
export type RouteTestRequest = Schemas['RouteTestRequest'];
export type Notification = Schemas['Notification'];
export type NotificationSort = Schemas['NotificationSort'];
export type ExternalRefInput = Schemas['ExternalRefInput'];
export type AcknowledgeRequest = Schemas['AcknowledgeRequest'];
export type UnacknowledgeRequest = Schemas['UnacknowledgeRequest'];
export type CloseRequest = Schemas['CloseRequest'];
export type ListEventsQuery = NonNullable<operations['listEvents']['parameters']['query']>;
export type Matchers = Schemas['Matchers'];
export type SilenceRequest = Schemas['SilenceRequest'];
export type AlertmanagerWebhook = Schemas['AlertmanagerWebhook'];
export type AlertmanagerAlert = Schemas['AlertmanagerAlert'];
export type PagerDutyEvent = Schemas['PagerDutyEvent'];
export type PagerDutyPayload = Schemas['PagerDutyPayload'];
export type PagerDutyLink = Schemas['PagerDutyLink'];
export type PagerDutyImage = Schemas['PagerDutyImage'];
