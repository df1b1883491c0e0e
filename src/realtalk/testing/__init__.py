"""realtalk.testing"""
