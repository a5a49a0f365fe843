"""The work behind each verb of the command line, one module per verb.

``jmap.cli`` only parses options and imports the verb's module when it runs,
so a command pays only for what it uses.
"""
