/** The admin's WhatsApp pages (templates with their approval status, campaigns with live progress). */
import type { Page } from '../../pages';
import { campaignsPage } from './campaigns';
import { templatesPage } from './templates';

export const whatsappPages: Page[] = [templatesPage, campaignsPage];
