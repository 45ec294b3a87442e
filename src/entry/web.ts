// Package entry for browsers, Deno and Bun (export conditions "browser", "deno", "bun", "default").
import { installRuntime } from '../runtime/runtime.js';
import { webRuntime } from '../runtime/web.js';

installRuntime(webRuntime);

export * from '../index.js';
