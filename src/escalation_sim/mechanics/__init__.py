"""The mechanics of the crisis (docs/model.md sections 5-5c): what an act does to the world and who perceives it.

A menu of options per actor (menu), acts carried out and perceived (perception), casualties of a salvo (harm),
signals and words (signals, words), private lines (channels), a sponsor's proxies (proxies) and a host's soil
(host). Functions over the actors' declared state (state/); none decides anything.
"""
