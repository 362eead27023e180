//! Flow 11: the language switch (English ↔ 简体中文) and the dark-mode toggle, both remembered.
