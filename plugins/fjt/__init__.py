"""FJT: Foyer de Jeunes Travailleurs / Résidence Jeunes Actifs, the reference scheme plugin.

Young people aged 16 to 30 (priority 16-25), in work, training, apprenticeship, internship or
job seeking, with a collective quota of more than 60 % of residents in activity. Sources: the
Résidence du Bailly press release (Chauny) and the Vivaldi pages of the 2021 regional brochure.
"""

__version__ = "1.0.0"
