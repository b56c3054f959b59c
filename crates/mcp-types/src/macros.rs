//! Internal helpers: the open string-enum macro and number formatting.

/// Defines an open string enum: known values map to variants, anything else is kept in `Other`.
macro_rules! string_enum {
    (
        $(#[$m:meta])*
        $name:ident {
            $( $(#[$vm:meta])* $var:ident => $s:literal ),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vm])* $var, )*
            /// A value not known to this version of the crate (kept verbatim).
            Other(String),
        }

        impl $name {
            /// The wire string of this value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$var => $s, )*
                    Self::Other(s) => s.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $s => Self::$var, )*
                    other => Self::Other(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $( $s => Self::$var, )*
                    _ => Self::Other(s),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(d)?;
                Ok(Self::from(s))
            }
        }
    };
}

/// Implements [`crate::HasExtra`] for types with a flattened `extra` map.
macro_rules! has_extra {
    ($($t:ty),* $(,)?) => {
        $(
            impl $crate::HasExtra for $t {
                fn extra(&self) -> &::serde_json::Map<String, ::serde_json::Value> {
                    &self.extra
                }
                fn extra_mut(&mut self) -> &mut ::serde_json::Map<String, ::serde_json::Value> {
                    &mut self.extra
                }
            }
        )*
    };
}

pub(crate) use has_extra;
pub(crate) use string_enum;

/// Serializes `f64` values that are whole numbers as JSON integers (so `50` round-trips as `50`).
pub(crate) mod num {
    use serde::Serializer;

    fn write<S: Serializer>(v: f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 {
            #[allow(clippy::cast_possible_truncation)]
            let i = v as i64;
            s.serialize_i64(i)
        } else {
            s.serialize_f64(v)
        }
    }

    /// For `f64` fields.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub(crate) fn f64<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        write(*v, s)
    }

    /// For `Option<f64>` fields (use with `skip_serializing_if = "Option::is_none"`).
    #[allow(clippy::ref_option)]
    pub(crate) fn opt_f64<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => write(*v, s),
            None => s.serialize_none(),
        }
    }
}
