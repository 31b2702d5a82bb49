"""The conformance suite (issue 14): one language-neutral corpus of upsert cases, and runners
for it against ``Engine``, ``ReferenceEngine``, any HTTP implementation, or a real Zoho org.
"""
