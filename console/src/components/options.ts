import type { DeliveryStatus, Severity } from '@alert-relay/client';

// The spec's enums, as lists for select boxes.
export const SEVERITIES: Severity[] = ['critical', 'warning', 'info', 'unknown'];
export const DELIVERY_STATUSES: DeliveryStatus[] = ['dead', 'pending', 'delivered', 'superseded'];

// Sources the service has built in; mail rules may add others, so source fields stay free text.
export const KNOWN_SOURCES = ['stackstate', 'monasca', 'haproxy', 'email'];
