//! Workspace-level tests live beside this file; the library is empty but
//! for the README, whose programs run as doc tests here.

#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadMe;
