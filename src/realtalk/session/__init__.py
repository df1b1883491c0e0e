"""realtalk.session"""
