// The stand-in ships with Baton (the sandbox serves it); tests use the very same one.
export * from '../../src/sandbox/hubspot-standin.js';
