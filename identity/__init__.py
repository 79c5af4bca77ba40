"""Accounts: users and roles, passwords, tokens, Sign-In With Ethereum, linked and custodial wallets."""
