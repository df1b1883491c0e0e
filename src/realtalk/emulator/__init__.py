"""realtalk.emulator"""
