"""Bank-transfer payments: instructions, reseller confirmations with proof, finance review."""
