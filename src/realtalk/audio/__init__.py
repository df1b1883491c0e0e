"""realtalk.audio"""
