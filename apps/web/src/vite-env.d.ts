/// <reference types="svelte" />
/// <reference types="vite/client" />

declare const __CONCORD_TEST_HOOKS__: boolean;
