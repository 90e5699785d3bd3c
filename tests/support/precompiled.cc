// The translation unit the tests' precompiled header is built with (see
// cmake/testing.cmake): it has no code of its own.
