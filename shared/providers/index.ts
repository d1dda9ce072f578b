/** Every provider module by type, and which provider types each channel offers. */
import { bandwidthProvider } from './bandwidth';
import { clickatellProvider } from './clickatell';
import { clicksendProvider } from './clicksend';
import { connectelProvider } from './connectel';
import { csctelecomProvider } from './csctelecom';
import { infobipProvider } from './infobip';
import { intelepeerProvider } from './intelepeer';
import { kaleyraProvider } from './kaleyra';
import { metaProvider } from './meta';
import { plivoProvider } from './plivo';
import { sinchProvider } from './sinch';
import { skebbyProvider } from './skebby';
import { telnyxProvider } from './telnyx';
import { twilioProvider } from './twilio';
import type { Channel, ProviderModule, ProviderType } from './types';

export const providers: Record<ProviderType, ProviderModule<never>> = {
  twilio: twilioProvider as ProviderModule<never>,
  skebby: skebbyProvider as ProviderModule<never>,
  connectel: connectelProvider as ProviderModule<never>,
  clicksend: clicksendProvider as ProviderModule<never>,
  plivo: plivoProvider as ProviderModule<never>,
  clickatell: clickatellProvider as ProviderModule<never>,
  csctelecom: csctelecomProvider as ProviderModule<never>,
  infobip: infobipProvider as ProviderModule<never>,
  intelepeer: intelepeerProvider as ProviderModule<never>,
  bandwidth: bandwidthProvider as ProviderModule<never>,
  telnyx: telnyxProvider as ProviderModule<never>,
  sinch: sinchProvider as ProviderModule<never>,
  meta: metaProvider as ProviderModule<never>,
  kaleyra: kaleyraProvider as ProviderModule<never>,
};

/** The provider types an account of each channel may use (the product's SMS and WhatsApp account types). */
export const CHANNEL_PROVIDERS: Record<Channel, readonly ProviderType[]> = {
  sms: ['twilio', 'skebby', 'connectel', 'clicksend', 'plivo', 'clickatell', 'csctelecom', 'infobip', 'intelepeer', 'bandwidth', 'telnyx'],
  whatsapp: ['twilio', 'sinch', 'meta', 'kaleyra'],
};

/** Providers whose accounts can send a recontact template after the WhatsApp window closes. */
export const RECONTACT_PROVIDERS: readonly ProviderType[] = ['meta', 'kaleyra'];

export function providerFor(type: ProviderType): ProviderModule<Record<string, unknown>> {
  return providers[type] as unknown as ProviderModule<Record<string, unknown>>;
}
