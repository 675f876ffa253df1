import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** A synthesized stack: its template, and the folder its assets were staged in. */
export class SynthesizedStack {
  readonly resources: Record<string, Resource>;

  constructor(
    readonly name: string,
    readonly assemblyDir: string,
    readonly template: { Resources: Record<string, Resource> },
  ) {
    this.resources = template.Resources;
  }

  static read(assemblyDir: string, name: string): SynthesizedStack {
    const template = JSON.parse(readFileSync(join(assemblyDir, `${name}.template.json`), 'utf8'));
    return new SynthesizedStack(name, assemblyDir, template);
  }

  /** Logical id and resource of every resource of a type. */
  ofType(type: string): [string, Resource][] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  /** The staged folder of a resource's asset (a function's code, a layer's content). */
  assetDir(logicalId: string): string {
    const path = this.resources[logicalId]?.Metadata?.['aws:asset:path'];
    if (typeof path !== 'string') throw new Error(`${logicalId} has no staged asset`);
    return join(this.assemblyDir, path);
  }
}

/** What a `Ref` or `Fn::GetAtt` of a resource resolves to, once the resources exist somewhere. */
export interface Resolver {
  ref(logicalId: string): string;
  getAtt(logicalId: string, attribute: string): string;
}

/**
 * Resolves the intrinsic functions the stack's templates use (`Ref`, `Fn::GetAtt`, `Fn::Join`,
 * `Fn::Select`, `Fn::Split`, `AWS::*` pseudo parameters) against resources created elsewhere (moto,
 * the emulator): the values the functions would see in AWS.
 */
export function resolveValue(value: unknown, resolver: Resolver, pseudo: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, resolver, pseudo));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    if (key === 'Ref') {
      const name = String(arg);
      if (name in pseudo) return pseudo[name];
      return resolver.ref(name);
    }
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
      return resolver.getAtt(id, attribute);
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => String(resolveValue(p, resolver, pseudo))).join(separator);
    }
    if (key === 'Fn::Select') {
      const [index, list] = arg as [number, unknown];
      return (resolveValue(list, resolver, pseudo) as unknown[])[Number(index)];
    }
    if (key === 'Fn::Split') {
      const [separator, text] = arg as [string, unknown];
      return String(resolveValue(text, resolver, pseudo)).split(separator);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveValue(v, resolver, pseudo)]));
}
