import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_LAYER, SettingsError } from '../../config/placement-settings';

/**
 * A document the stack built into the function's settings layer, read and parsed on first use and
 * kept for the container's life (a deployment replaces the container). A failure is not kept: the
 * next invocation reads again, and each failed one is reported as what it is.
 */
export function layerDocument<T>(
  env: NodeJS.ProcessEnv,
  path: string,
  parse: (text: string, where: string) => T,
): () => T {
  let document: T | undefined;
  return () => {
    if (document !== undefined) return document;
    const file = join(env[SETTINGS_LAYER.rootEnv] || SETTINGS_LAYER.root, path);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new SettingsError(
        `the settings document ${file} cannot be read: is the settings layer attached?`,
        {
          cause: error,
        },
      );
    }
    document = parse(text, file);
    return document;
  };
}
