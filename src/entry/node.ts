// Package entry for Node.js (export condition "node").
import { installRuntime } from '../runtime/runtime.js';
import { nodeRuntime } from '../runtime/node.js';

installRuntime(nodeRuntime);

export * from '../index.js';
