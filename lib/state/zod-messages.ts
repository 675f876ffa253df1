import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * zod/mini ships no messages ("Invalid input" for everything): this loads the English ones alone
 * (a few KB, against ~440 KB for classic zod with every locale), so a bad event or stored item
 * still says what was expected. Classic zod, where it is loaded too, configures the same locale.
 */
config(en());
