"""realtalk.cli"""
