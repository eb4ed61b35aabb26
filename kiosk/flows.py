"""Kiosk screens for the community features, added only for the packages that exist.

Each flow calls its package's services and policy; the kiosk adds only the large, step-by-step screens.
"""
