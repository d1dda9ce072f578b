/** The admin's WhatsApp pages (templates with their approval status, campaigns with live progress). */
import type { Page } from '../../pages';

export const whatsappPages: Page[] = [];
