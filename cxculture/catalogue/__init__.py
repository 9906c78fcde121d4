"""HR managing the training catalogue: new modules, texts and translations, archiving."""
