export { createHubDetector, wantedFiles, type HubDetectorOptions } from './hub-detector.ts';
export { createRobertaDetector, sessionRunner, type LogitsRunner, type RobertaDetector } from './detector.ts';
export { machineIndex, machineLogit, sigmoid } from './labels.ts';
export { chooseVariant, findEntry, REGISTRY, VARIANT_FILES, type RegistryEntry, type Variant } from './registry.ts';
export { tokenizerFromFiles, type TextTokenizer } from './tokenizer.ts';
export { combineWindows, makeWindows, windowStarts, MAX_TEXT_TOKENS } from './windows.ts';
export { HubClient, type DownloadProgress, type HubClientOptions, type Pins } from '../hub/download.ts';
export { HubError, HubIntegrityError, DEFAULT_HUB } from '../hub/hub.ts';
export { MemoryFileStore, type FileStore } from '../hub/store.ts';
