// A shared library that is not a Gatehouse plugin: no entry symbol.
extern "C" __attribute__((visibility("default"))) int some_other_symbol() { return 42; }
