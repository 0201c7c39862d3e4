import { readFileSync } from 'node:fs';
import { DEFAULT_TARGETS, parseTargetDefinitions, type TargetDefinition } from '@siliconalley/targets';

/** Operator targets from a JSON file (packages/targets schema); the plan's targets without one. */
export function loadTargets(file: string | undefined): readonly TargetDefinition[] {
  if (!file) return DEFAULT_TARGETS;
  return parseTargetDefinitions(JSON.parse(readFileSync(file, 'utf8')));
}
