//! Programs for the usage examples of the client API (see `examples/`);
//! the library is empty.
