// SIPp injection files (-inf, -infindex, [fieldN], lookup/insert/replace). See docs/injection.md.
export { InjectionError } from './errors.js';
export {
  parseInjectionFile,
  InjectionFile,
  type InjectionMode,
  type PrintfSettings,
  type InjectionParseOptions,
  type NewCallContext,
} from './file.js';
export { InjectionSet, injectionFileKey, type CallLines } from './set.js';
export { parseFieldKeyword, keywordParam, type FieldKeyword } from './keyword.js';
