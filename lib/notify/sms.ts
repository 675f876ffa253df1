/** GSM 03.38 basic character set: anything else makes a carrier switch to UCS-2 (70 chars a part). */
const GSM = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

/** Replaces characters outside the GSM basic set, collapses whitespace, and cuts to `max` characters. */
export function gsmSafe(text: string, max = 140): string {
  const cleaned = [...text.replace(/\s+/g, ' ').trim()].map((c) => (GSM.has(c) ? c : '?')).join('');
  return cleaned.length <= max ? cleaned : `${cleaned.slice(0, max - 3)}...`;
}

/** ASCII-only subject within SNS's 100-character limit. */
export function asciiSubject(text: string, max = 100): string {
  const cleaned = text
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length <= max ? cleaned : `${cleaned.slice(0, max - 3)}...`;
}
