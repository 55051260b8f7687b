"""Billing: prices, and the one service that changes a billing account's balance."""
