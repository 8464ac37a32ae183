//! Hardware-backed keys on phones (ARCHITECTURE.md, "Key storage on phones").
//!
//! **Not built and not tested here**: no Android NDK or iOS toolchain can be installed on the
//! build machines. It is compiled only for `target_os = "android"` / `"ios"`, so desktop
//! builds are unaffected, and nothing calls it yet: [`super::resolve`] will take a
//! `source = "hardware"` branch once this has run on a device.
//!
//! The database key stays 32 random bytes. What the hardware holds is a *wrapping* key that
//! never leaves it: the database key is stored in `key.json` only wrapped (encrypted) under it,
//! so copying the files off the phone gives nothing to guess, and the PIN becomes an app lock
//! (its hash inside the encrypted database, as on desktop keystore profiles).
//!
//! - Android: an AES-256-GCM key in the `AndroidKeyStore` provider, StrongBox-backed when the
//!   phone has a StrongBox (`setIsStrongBoxBacked(true)`, falling back to the TEE when
//!   `StrongBoxUnavailableException` is thrown), reached through JNI from the app's JVM
//!   (`ndk-context` gives the `JavaVM` that Tauri's Android runtime set up).
//! - iOS: the Secure Enclave holds only P-256 keys, so the wrapping key is a Secure Enclave
//!   P-256 key (`kSecAttrTokenIDSecureEnclave`, usable only while the phone is unlocked, this
//!   device only) and the database key is wrapped with ECIES
//!   (`eciesEncryptionCofactorVariableIVX963SHA256AESGCM`) to its public key.

use crate::error::CoreError;

/// Name of the wrapping key in the platform's keystore.
pub const WRAPPING_KEY_ALIAS: &str = "org.shiftlog.app.db-wrap";

fn unavailable(e: impl std::fmt::Display) -> CoreError {
    CoreError::KeystoreUnavailable(e.to_string())
}

#[cfg(target_os = "android")]
mod platform {
    use jni::objects::{JObject, JValue};
    use jni::JNIEnv;

    use super::{unavailable, WRAPPING_KEY_ALIAS};
    use crate::error::CoreError;

    const GCM_IV_LEN: usize = 12;

    fn with_env<T>(f: impl FnOnce(&mut JNIEnv) -> jni::errors::Result<T>) -> Result<T, CoreError> {
        let ctx = ndk_context::android_context();
        // SAFETY: ndk-context hands out the JavaVM pointer that the Android runtime created
        // for this process; it lives as long as the process.
        let vm = unsafe { jni::JavaVM::from_raw(ctx.vm().cast()) }.map_err(unavailable)?;
        let mut env = vm.attach_current_thread().map_err(unavailable)?;
        f(&mut env).map_err(unavailable)
    }

    /// The AndroidKeyStore's key under [`WRAPPING_KEY_ALIAS`], made on first use (StrongBox
    /// if there is one).
    fn wrapping_key<'a>(env: &mut JNIEnv<'a>) -> jni::errors::Result<JObject<'a>> {
        let ks_type = env.new_string("AndroidKeyStore")?;
        let ks = env
            .call_static_method(
                "java/security/KeyStore",
                "getInstance",
                "(Ljava/lang/String;)Ljava/security/KeyStore;",
                &[JValue::Object(&ks_type)],
            )?
            .l()?;
        env.call_method(
            &ks,
            "load",
            "(Ljava/security/KeyStore$LoadStoreParameter;)V",
            &[JValue::Object(&JObject::null())],
        )?;
        let alias = env.new_string(WRAPPING_KEY_ALIAS)?;
        let existing = env
            .call_method(
                &ks,
                "getKey",
                "(Ljava/lang/String;[C)Ljava/security/Key;",
                &[JValue::Object(&alias), JValue::Object(&JObject::null())],
            )?
            .l()?;
        if !existing.is_null() {
            return Ok(existing);
        }
        for strongbox in [true, false] {
            // KeyGenParameterSpec.Builder(alias, PURPOSE_ENCRYPT | PURPOSE_DECRYPT)
            let builder = env.new_object(
                "android/security/keystore/KeyGenParameterSpec$Builder",
                "(Ljava/lang/String;I)V",
                &[JValue::Object(&alias), JValue::Int(1 | 2)],
            )?;
            let gcm = env.new_string("GCM")?;
            let modes = env.new_object_array(1, "java/lang/String", &gcm)?;
            env.call_method(
                &builder,
                "setBlockModes",
                "([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;",
                &[JValue::Object(&modes)],
            )?;
            let none = env.new_string("NoPadding")?;
            let paddings = env.new_object_array(1, "java/lang/String", &none)?;
            env.call_method(
                &builder,
                "setEncryptionPaddings",
                "([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;",
                &[JValue::Object(&paddings)],
            )?;
            env.call_method(
                &builder,
                "setKeySize",
                "(I)Landroid/security/keystore/KeyGenParameterSpec$Builder;",
                &[JValue::Int(256)],
            )?;
            env.call_method(
                &builder,
                "setIsStrongBoxBacked",
                "(Z)Landroid/security/keystore/KeyGenParameterSpec$Builder;",
                &[JValue::Bool(strongbox.into())],
            )?;
            let spec = env
                .call_method(
                    &builder,
                    "build",
                    "()Landroid/security/keystore/KeyGenParameterSpec;",
                    &[],
                )?
                .l()?;
            let aes = env.new_string("AES")?;
            let gen = env
                .call_static_method(
                    "javax/crypto/KeyGenerator",
                    "getInstance",
                    "(Ljava/lang/String;Ljava/lang/String;)Ljavax/crypto/KeyGenerator;",
                    &[JValue::Object(&aes), JValue::Object(&ks_type)],
                )?
                .l()?;
            env.call_method(
                &gen,
                "init",
                "(Ljava/security/spec/AlgorithmParameterSpec;)V",
                &[JValue::Object(&spec)],
            )?;
            match env.call_method(&gen, "generateKey", "()Ljavax/crypto/SecretKey;", &[]) {
                Ok(key) => return key.l(),
                // StrongBoxUnavailableException: try again in the TEE.
                Err(_) if strongbox => env.exception_clear()?,
                Err(e) => return Err(e),
            }
        }
        Err(jni::errors::Error::JavaException)
    }

    fn cipher<'a>(
        env: &mut JNIEnv<'a>,
        mode: i32,
        iv: Option<&[u8]>,
    ) -> jni::errors::Result<JObject<'a>> {
        let key = wrapping_key(env)?;
        let name = env.new_string("AES/GCM/NoPadding")?;
        let c = env
            .call_static_method(
                "javax/crypto/Cipher",
                "getInstance",
                "(Ljava/lang/String;)Ljavax/crypto/Cipher;",
                &[JValue::Object(&name)],
            )?
            .l()?;
        match iv {
            None => {
                env.call_method(
                    &c,
                    "init",
                    "(ILjava/security/Key;)V",
                    &[JValue::Int(mode), JValue::Object(&key)],
                )?;
            }
            Some(iv) => {
                let iv = env.byte_array_from_slice(iv)?;
                let spec = env.new_object(
                    "javax/crypto/spec/GCMParameterSpec",
                    "(I[B)V",
                    &[JValue::Int(128), JValue::Object(&iv)],
                )?;
                env.call_method(
                    &c,
                    "init",
                    "(ILjava/security/Key;Ljava/security/spec/AlgorithmParameterSpec;)V",
                    &[
                        JValue::Int(mode),
                        JValue::Object(&key),
                        JValue::Object(&spec),
                    ],
                )?;
            }
        }
        Ok(c)
    }

    /// `iv || ciphertext+tag` of `key` under the hardware key.
    pub fn wrap(key: &[u8; 32]) -> Result<Vec<u8>, CoreError> {
        with_env(|env| {
            let c = cipher(env, 1, None)?; // Cipher.ENCRYPT_MODE
            let iv = env.call_method(&c, "getIV", "()[B", &[])?.l()?;
            let iv = env.convert_byte_array(jni::objects::JByteArray::from(iv))?;
            let input = env.byte_array_from_slice(key)?;
            let out = env
                .call_method(&c, "doFinal", "([B)[B", &[JValue::Object(&input)])?
                .l()?;
            let out = env.convert_byte_array(jni::objects::JByteArray::from(out))?;
            Ok([iv, out].concat())
        })
    }

    /// The key [`wrap`] wrapped.
    pub fn unwrap(blob: &[u8]) -> Result<[u8; 32], CoreError> {
        if blob.len() <= GCM_IV_LEN {
            return Err(CoreError::KeyFile("the wrapped key is too short".into()));
        }
        let (iv, body) = blob.split_at(GCM_IV_LEN);
        let plain = with_env(|env| {
            let c = cipher(env, 2, Some(iv))?; // Cipher.DECRYPT_MODE
            let input = env.byte_array_from_slice(body)?;
            let out = env
                .call_method(&c, "doFinal", "([B)[B", &[JValue::Object(&input)])?
                .l()?;
            env.convert_byte_array(jni::objects::JByteArray::from(out))
        })?;
        plain
            .try_into()
            .map_err(|_| CoreError::KeyFile("the unwrapped key has the wrong size".into()))
    }
}

#[cfg(target_os = "ios")]
mod platform {
    use security_framework::item::{
        ItemClass, ItemSearchOptions, KeyClass, Limit, Location, Reference, SearchResult,
    };
    use security_framework::key::{Algorithm, GenerateKeyOptions, KeyType, SecKey, Token};

    use super::{unavailable, WRAPPING_KEY_ALIAS};
    use crate::error::CoreError;

    /// The Secure Enclave P-256 key labelled [`WRAPPING_KEY_ALIAS`], made on first use.
    fn wrapping_key() -> Result<SecKey, CoreError> {
        let found = ItemSearchOptions::new()
            .class(ItemClass::key())
            .key_class(KeyClass::private())
            .label(WRAPPING_KEY_ALIAS)
            .load_refs(true)
            .limit(Limit::Max(1))
            .search();
        if let Ok(results) = found {
            for r in results {
                if let SearchResult::Ref(Reference::Key(key)) = r {
                    return Ok(key);
                }
            }
        }
        let mut opts = GenerateKeyOptions::default();
        opts.set_key_type(KeyType::ec())
            .set_size_in_bits(256)
            .set_label(WRAPPING_KEY_ALIAS)
            .set_token(Token::SecureEnclave)
            .set_location(Location::DataProtectionKeychain);
        SecKey::new(&opts).map_err(unavailable)
    }

    const ALGORITHM: Algorithm = Algorithm::ECIESEncryptionCofactorVariableIVX963SHA256AESGCM;

    /// `key` encrypted to the Secure Enclave key's public half.
    pub fn wrap(key: &[u8; 32]) -> Result<Vec<u8>, CoreError> {
        let private = wrapping_key()?;
        let public = private
            .public_key()
            .ok_or_else(|| unavailable("the Secure Enclave key has no public key"))?;
        public.encrypt_data(ALGORITHM, key).map_err(unavailable)
    }

    /// The key [`wrap`] wrapped; the Secure Enclave decrypts it (only while the phone is
    /// unlocked, only on this phone).
    pub fn unwrap(blob: &[u8]) -> Result<[u8; 32], CoreError> {
        let plain = wrapping_key()?
            .decrypt_data(ALGORITHM, blob)
            .map_err(unavailable)?;
        plain
            .try_into()
            .map_err(|_| CoreError::KeyFile("the unwrapped key has the wrong size".into()))
    }
}

pub use platform::{unwrap, wrap};
