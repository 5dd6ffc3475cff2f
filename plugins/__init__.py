"""Built-in scheme plugins, one package per scheme; the core loads the modules listed here."""

#: Hook modules of the built-in plugins, in load order (the core's plugin host reads this tuple).
BUILTIN_PLUGINS: tuple[str, ...] = (
    "plugins.fjt.hooks",
    "plugins.chrs.hooks",
    "plugins.habited.hooks",
    "plugins.seniors_domicile.hooks",
    "plugins.asr.hooks",
)
